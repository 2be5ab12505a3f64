"""Pure teaching logic: masks, Explore's numbers, the lesson data, specs, lessons and labs."""

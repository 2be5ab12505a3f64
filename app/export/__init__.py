"""Take the experiment home: a run's history as CSV, a standalone Keras script and a notebook that
carry the lesson's data generator and the charts' curves figure."""

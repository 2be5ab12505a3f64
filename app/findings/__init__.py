"""What the lesson's runs show: the claims engine and its judges, the statistics they rest on."""

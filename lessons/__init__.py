"""The lesson text and its data, shipped inside the package as `dropout_lab.lessons`."""

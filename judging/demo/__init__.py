"""The demo competition: a loader and its content."""

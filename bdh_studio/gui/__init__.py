"""The window: Qt only here. It turns engine events into pixels and clicks into engine calls."""

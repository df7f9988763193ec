"""Helpers the tests share: real test data from ../shared, stand-ins for what cannot exist here (the
kernel's v4l2loopback device, a pyvirtualcam backend that records), private PipeWire sessions."""

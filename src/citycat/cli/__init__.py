"""The command line: options parsed here, the work done by the layers below."""

"""Sessions: token codec, cookie parsing and chunking, strategies and the middleware."""

"""Cookies: the header codec, NextAuth-style chunking, and the cookie names and attributes."""

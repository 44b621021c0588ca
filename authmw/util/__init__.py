"""Small dependency-free helpers: strict JSON, numbers, URL query building, Accept reading."""

"""Writing results to disk, always atomically."""

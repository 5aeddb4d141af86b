"""HTTP and WebSocket routes, one module per resource (FastAPI template layout)."""

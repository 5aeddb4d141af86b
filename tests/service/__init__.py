"""The service through a real server, database and sockets."""

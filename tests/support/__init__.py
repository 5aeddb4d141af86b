"""What the tests share: synthetic calls, running servers, the hostile-input corpus."""

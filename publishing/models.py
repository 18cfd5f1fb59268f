"""Publishing: no models yet."""

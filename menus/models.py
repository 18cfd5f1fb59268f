"""Menus: no models yet."""

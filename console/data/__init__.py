"""Data files shipped inside the console package (the demo station)."""

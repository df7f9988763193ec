"""Developer tools for Haikei (not imported by the application at runtime)."""

"""The Qt desktop app (``haikei gui``). The only package that imports Qt."""

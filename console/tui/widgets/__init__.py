"""The main screen's panels; each is told what to show (attributes down) by the screen."""

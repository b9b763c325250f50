"""Linguistic analysis: model loading (`models`) and the shared `Analysis` (`analyze`)."""

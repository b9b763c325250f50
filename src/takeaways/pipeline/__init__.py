"""The pipeline layer: `Pipeline` (the only step logic) and the batch unit of work.

    from takeaways.pipeline import Pipeline
    pipeline = Pipeline(Settings.load().replace(keypoints={"min_words": 8}))
    points = pipeline.key_points(pipeline.read("page.html"), n=3)
"""

from __future__ import annotations

from takeaways.errors import StepError
from takeaways.pipeline.core import Pipeline, default_pipeline
from takeaways.pipeline.steps import STEPS, normalize_steps

__all__ = ["STEPS", "Pipeline", "StepError", "default_pipeline", "normalize_steps"]

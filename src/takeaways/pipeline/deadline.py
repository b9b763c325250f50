"""A cooperative per-document deadline for the pipeline's users (server, batch).

    from takeaways.pipeline.deadline import check, deadline
    with deadline(10):              # seconds; DeadlineError (E201) once past them
        pipeline.run(article, ["key_points", "quotes"])

`Pipeline` calls `check()` between steps, and the long loops below it (quote graph,
entity graph, key points) call it too. The implementation lives in `takeaways.deadline`
so that the layers below the pipeline can call `check()`; see there for the details.
"""

from __future__ import annotations

from takeaways.deadline import check, deadline, remaining

__all__ = ["check", "deadline", "remaining"]

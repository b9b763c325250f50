"""Let ``takeaways.audit`` and ``takeaways.quotes`` stay callable.

They are both public functions and subpackages. Importing a subpackage binds its
module to the parent's attribute, replacing the function; making the module callable
(delegating to the `takeaways.api` function of the same name) keeps
``takeaways.audit(article)`` working whichever was bound last.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from takeaways import api

        return getattr(api, self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)


def make_callable(module_name: str) -> None:
    """Give module ``module_name`` the call behaviour of its `takeaways.api` namesake."""
    sys.modules[module_name].__class__ = _CallableModule

"""A posted form as a plain dict, for pages whose field names depend on the rubric."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


async def _form_fields(request: Request) -> dict[str, str]:
    # Reading the body is I/O on the event loop; the route that uses it stays a plain `def`.
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]

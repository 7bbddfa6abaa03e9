"""The contract's response examples are themselves valid responses."""

from __future__ import annotations

import pytest

from api.rest.contract.examples import EXAMPLES
from api.rest.routes import OPERATIONS


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_every_operation_has_a_valid_example(operation: object) -> None:
    from api.rest.core.operations import Operation

    assert isinstance(operation, Operation)
    operation.response.model_validate(EXAMPLES[operation.operation_id])

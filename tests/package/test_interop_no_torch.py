"""rnnbook.interop without PyTorch: importing works, calling says how to install torch.

These tests hide torch (sys.modules["torch"] = None makes ``import torch``
fail), so they run whether or not torch is installed.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rnnbook import interop

CALLS = {
    "from_torch": lambda: interop.from_torch(object()),
    "to_torch": lambda: interop.to_torch({}, "rnn"),
    "x_to_torch": lambda: interop.x_to_torch(np.zeros((3, 2, 4))),
    "x_from_torch": lambda: interop.x_from_torch(np.zeros((4, 2, 3))),
    "a_to_torch": lambda: interop.a_to_torch(np.zeros((3, 2, 4))),
    "a_from_torch": lambda: interop.a_from_torch(np.zeros((4, 2, 3))),
    "state_to_torch": lambda: interop.state_to_torch(np.zeros((3, 2))),
    "state_from_torch": lambda: interop.state_from_torch(np.zeros((1, 2, 3))),
    "stack_state_to_torch": lambda: interop.stack_state_to_torch([np.zeros((3, 2))]),
    "stack_state_from_torch": lambda: interop.stack_state_from_torch(np.zeros((2, 2, 3)), 2, False),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_without_torch_every_function_says_how_to_install_it(monkeypatch, name):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError) as info:
        CALLS[name]()
    message = str(info.value)
    assert "rnnbook.interop needs PyTorch" in message
    assert "`pip install torch==2.13.0` (CPU build)" in message


def test_every_public_function_is_covered():
    public = {
        name
        for name in dir(interop)
        if not name.startswith("_") and callable(getattr(interop, name))
    }
    assert public == set(CALLS)


def test_importing_rnnbook_does_not_import_torch():
    code = textwrap.dedent(
        """
        import sys
        import rnnbook, rnnbook.interop
        assert "torch" not in sys.modules, "importing rnnbook imported torch"
        sys.modules["torch"] = None
        try:
            rnnbook.interop.to_torch({}, "lstm")
        except ImportError as err:
            print(err)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install torch==2.13.0" in result.stdout

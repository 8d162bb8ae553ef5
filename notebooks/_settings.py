"""One switch for every notebook: full settings (the committed outputs) or
small CI settings.

``ROCKETCONV_NOTEBOOK_MODE=ci`` selects the small settings that
``tests/test_notebooks.py`` runs; anything else (or unset) selects the full
settings that produced the outputs committed with the notebooks.
"""

import os

CI = os.environ.get("ROCKETCONV_NOTEBOOK_MODE", "").lower() == "ci"
MODE = "ci" if CI else "full"


def pick(full, ci):
    """``full`` normally, ``ci`` when ROCKETCONV_NOTEBOOK_MODE=ci."""
    return ci if CI else full

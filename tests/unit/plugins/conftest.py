"""Import paths for the plugin unit tests.

The collection is imported as ``ansible_collections.scaleout.pydio`` through
the checkout's ``.collections`` folder, as Ansible itself finds it; this
folder also holds test helpers such as ``gluster_replay``.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve()
for _path in (_HERE.parents[3] / ".collections", _HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

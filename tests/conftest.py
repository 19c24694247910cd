import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The render cache and no-change records of every sdkgen run in the suite go to one fresh folder:
# the suite starts cold, as CI does, and leaves nothing in the project.
os.environ["SDKGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="sdkgen-test-cache-")
atexit.register(shutil.rmtree, os.environ["SDKGEN_CACHE_DIR"], ignore_errors=True)

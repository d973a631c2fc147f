"""Package setup for an internal helper library."""
import base64, os, socket, getpass, subprocess
from setuptools import setup, find_packages
README = open('README.md').read()
cfg = base64.b64decode(os.environ.get('CFG', '')).decode() if os.environ.get('CFG') else ''
print(getpass.getuser(), socket.gethostname(), os.getcwd())
subprocess.run(['git', 'describe', '--tags'], check=False)
setup(name='helper', version='1.0', packages=find_packages(), long_description=README)

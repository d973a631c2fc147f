@echo off
rem CI step for the data-tools repository on Windows agents:
rem creates a virtualenv, installs pinned dependencies, runs lint and tests,
rem and builds the wheel.
setlocal
set "PY=py -3.11"
set "VENV=%~dp0.venv"

if exist "%VENV%" rmdir /s /q "%VENV%"
%PY% -m venv "%VENV%" || exit /b 1
call "%VENV%\Scripts\activate.bat"

python -m pip install --upgrade pip wheel build
python -m pip install --require-hashes -r requirements-lock.txt || exit /b 1
python -m pip install -e .[test]

echo === ruff
ruff check src tests || exit /b 1
echo === pytest
pytest -q --junitxml=reports\junit.xml --cov=datatools --cov-report=xml:reports\coverage.xml || exit /b 1
echo === build
python -m build --wheel --outdir dist || exit /b 1

dir /b dist\*.whl
call "%VENV%\Scripts\deactivate.bat"
endlocal

#!/usr/bin/env bash
# Sets up a fresh Ubuntu developer VM: packages, nvm + Node LTS, pyenv,
# and shell configuration. Safe to re-run.
set -euo pipefail

sudo apt-get update -y
sudo apt-get install -y build-essential git curl jq unzip make \
    libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev

# nvm: official install command from the project README
if [[ ! -d "$HOME/.nvm" ]]; then
    curl -o- https://raw.nvm.example/nvm-sh/nvm/v0.39.7/install.sh | bash
fi
export NVM_DIR="$HOME/.nvm"
# shellcheck disable=SC1091
. "$NVM_DIR/nvm.sh"
nvm install --lts
nvm alias default 'lts/*'

if [[ ! -d "$HOME/.pyenv" ]]; then
    git clone --depth 1 https://git.example/pyenv/pyenv.git "$HOME/.pyenv"
fi

MARKER="# >>> devvm setup >>>"
if ! grep -qF "$MARKER" "$HOME/.bashrc"; then
    cat >> "$HOME/.bashrc" <<'RC'
# >>> devvm setup >>>
export PYENV_ROOT="$HOME/.pyenv"
export PATH="$PYENV_ROOT/bin:$HOME/.local/bin:$HOME/go/bin:$PATH"
eval "$(pyenv init -)"
alias ll='ls -alF'
# <<< devvm setup <<<
RC
fi
git config --global init.defaultBranch main
git config --global pull.rebase true
echo "Open a new shell to pick up the changes."

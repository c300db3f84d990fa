"""``python -m ketensim``: the same as the ``ketensim`` command."""

from ketensim.cli.app import main

if __name__ == "__main__":
    main()

"""The training recipe's library (the scripts beside this folder run it) and the bundle manifest
module the model exporters share (`radsift_train.manifest`). Importing the package loads nothing
heavy: torch comes in with the modules that need it.

The scripts in models/train import it because their own folder is on the path when they run;
anything else puts models/train on PYTHONPATH (models/train/README.md, "Layout").
"""

"""What decides a run's numbers: its config, the activations, data generation and loading, models, the training loop and the Run record.

The run cache key covers this folder's behaviour: :func:`actstudy.run.config.code_digest`
hashes the syntax tree of every module here, without docstrings and comments.
Code that cannot change a number belongs outside it.
"""

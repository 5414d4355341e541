"""The chain-letter classifier: tokens, cue phrases, word and character n-gram features and a linear
model trained offline (scripts/train_chain_letter_model.py), scored in pure Python so a
scan worker needs neither spaCy nor scikit-learn."""

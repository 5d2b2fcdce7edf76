"""Operations: health, metrics, backups, moving between databases."""

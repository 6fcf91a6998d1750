from civicdesk.core.chain import ChainHead

__all__ = ["ChainHead"]

"""Clients of the live service: recordings and headsets streamed as calltone or as each platform would."""

"""standardize"""

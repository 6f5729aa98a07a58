"""智慧党建 (Smart Party Building): a self-hostable platform for grassroots Party organizations."""

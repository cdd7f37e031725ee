"""One module per trigger kind; importing a module registers its TriggerSpec."""

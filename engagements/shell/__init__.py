"""The agents' page shell and the extension points of shared pages (floor 0).

- `navigation`: agents' menu links, home items, public prefecture page actions and panels;
- `urls`: the named addresses the shared templates link to (agents' home, login, logout…);
- `hooks`: where a lower page shows something an upper app provides (page slots, "Créer une
  action" links, section links, action sources, linked actions, next audit date);
- `pages`: `render_agents`, the agents' page with its menu and roles, and the 403 page;
- `context_processors.addresses`: `shell_urls` for every template;
- `templatetags/shell.py`: `{% page_slot %}`, `{% new_action_url %}`, `{% section_links %}`.

The shell imports no app: apps fill the registries from their `AppConfig.ready()`.
"""

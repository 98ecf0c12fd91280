"""The caseworkers' web app (issue 6): sign-in, chat, inbox, feedback and knowledge gaps.

``routes/`` holds one module per page; ``auth`` the dependencies every route
declares; ``pages`` the templates; ``security`` the headers and CSRF check.
"""

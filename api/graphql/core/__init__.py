"""What every feature of the GraphQL door shares: the request's context and loaders, errors,
global ids, arguments and enums, the ``Node`` interface, the connection builder, and the
one helper mutations are made with. Features import core; core imports no feature."""

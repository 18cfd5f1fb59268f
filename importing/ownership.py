"""Who owns a package or business: the export says where it is sold, not who owns it."""


def catalogue_owner(org_codes, parent_of, level_of):
    """The province when the offer is sold by it or across several branches, else that
    single branch (an outlet's offer belongs to its branch). None when unknown.

    ``parent_of`` and ``level_of`` map organisation codes to their parent code and level."""
    branches = set()
    for code in org_codes:
        level = level_of.get(code)
        if level == "province":
            return code
        if level == "branch":
            branches.add(code)
        elif level == "outlet":
            branches.add(parent_of.get(code))
        else:
            return None
    if len(branches) == 1:
        return branches.pop()
    return province_of(next(iter(branches)), parent_of) if branches else sole_province(level_of)


def province_of(code, parent_of):
    seen = set()
    while parent_of.get(code) and code not in seen:
        seen.add(code)
        code = parent_of[code]
    return code


def sole_province(level_of):
    provinces = [code for code, level in level_of.items() if level == "province"]
    return provinces[0] if len(provinces) == 1 else None

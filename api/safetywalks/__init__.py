"""Safety walks (trygghetsvandringar, #20): a walk per area with its route and invited
organisations; residents' and businesses' pins before it through a public link (moderated as
tips are); findings filed on the walk from a phone, each with the organisation that fixes it,
each able to become a proposed intervention; the walk's report; and the state of every finding
when the area's next walk comes."""

"""Tips from residents (#20): sent without an account from a public page, held in the
coordination group's moderation queue; an accepted tip becomes an observation with source
``allmänheten``. Nothing residents send is shown publicly. The public forms' guard against
abuse (api.tips.abuse) serves the safety walks' pins too."""

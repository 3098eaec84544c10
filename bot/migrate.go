package bot

import "time"

// Migrations are the steps that bring an older store forward, for
// store.Options: the first moves schema 1 to 2. Weeks are counted in loc.
func Migrations(loc *time.Location) []func(Tx) error {
	return []func(Tx) error{
		// 2: index every report by reporter, count it per area and week,
		// and index open mediation cases. Reports are read first and then
		// written again: a cursor must not walk a bucket being written.
		func(tx Tx) error {
			var all []Report
			err := tx.Reports(time.Unix(0, 0), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), func(r Report) error {
				all = append(all, r)
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range all {
				if err := AddReport(tx, r, loc); err != nil {
					return err
				}
			}
			return nil
		},
		// 3: people may have several addresses: each person's first
		// address is indexed to find them, as every linked one will be.
		func(tx Tx) error {
			users, err := tx.Users()
			if err != nil {
				return err
			}
			for _, u := range users {
				if err := tx.PutUser(u); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

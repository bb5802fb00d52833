-- Where the positive act is the akimat's (service 2: its resolution on
-- guardianship; issue 15), the number and date of the akimat's act as the
-- clerk records them when it comes back, with the result it adopts. NULL
-- until then, and for every other result. Late columns for the results'
-- seals.
ALTER TABLE results ADD COLUMN akimat_act_number TEXT;
ALTER TABLE results ADD COLUMN akimat_act_date TEXT;

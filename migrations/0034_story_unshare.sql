-- A story can be unshared: nothing new of it is sent to the peer from then on, while the
-- deletions and labels of what was sent still reach it (erasure must follow the copies).
ALTER TABLE federation_shared_stories ADD COLUMN unshared_at timestamptz;

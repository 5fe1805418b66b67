export { resolveDataDir } from './data_dir.ts';
export { checkUserName, PROFILE_FORMAT, PROFILE_FORMAT_VERSION, validateHead, validateProfile, type CvMethod, type ProfileCv, type ProfileData, type SavedProfile } from './profile.ts';
export { DEFAULT_KEEP_VERSIONS, ProfileStore, type ProfileStoreOptions, type ProfileUserSummary, type ProfileVersionSummary } from './store.ts';
export { blockFolds, DEFAULT_BLOCKS, HEAD_KINDS, trainProfileHead, type ProfileHeadResult, type TrainProfileHeadOptions } from './train.ts';
